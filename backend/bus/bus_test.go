package bus_test

import (
	"testing"

	"github.com/ice-studio/ice-studio/backend/bus"
)

func TestPublishFansOutInOrder(t *testing.T) {
	b := bus.New()
	a, stopA := b.Subscribe(8)
	c, stopC := b.Subscribe(8)
	defer stopC()
	b.Publish("one", 1)
	b.Publish("two", 2)
	for _, ch := range []<-chan bus.Message{a, c} {
		if m := <-ch; m.Name != "one" || m.Data != 1 {
			t.Fatalf("first message = %+v, want one/1", m)
		}
		if m := <-ch; m.Name != "two" {
			t.Fatalf("second message = %+v, want two", m)
		}
	}
	stopA()
	stopA() // idempotent
	if _, ok := <-a; ok {
		t.Fatal("channel still open after unsubscribe")
	}
	b.Publish("three", 3) // must not panic on the closed subscriber
	if m := <-c; m.Name != "three" {
		t.Fatalf("message after another unsubscribed = %+v, want three", m)
	}
}

func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	b := bus.New()
	ch, stop := b.Subscribe(1)
	defer stop()
	for i := 0; i < 100; i++ {
		b.Publish("x", i) // would deadlock if Publish blocked
	}
	if m := <-ch; m.Data != 0 {
		t.Fatalf("kept message = %+v, want the first one", m)
	}
}
