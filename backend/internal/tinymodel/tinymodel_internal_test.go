package tinymodel

import "testing"

func TestFloat16(t *testing.T) {
	// Wanted values from Python's struct.pack('<e', …), which rounds to
	// nearest even.
	for _, c := range []struct {
		in   float32
		want uint16
	}{
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},
		{0.1, 0x2e66},
		{0.333333, 0x3555},
		{1.00146484375, 0x3c02}, // halfway between 0x3c01 and 0x3c02: even
		{1.00341796875, 0x3c04}, // halfway between 0x3c03 and 0x3c04: even
		{6.1e-5, 0x03ff},        // the largest subnormal
		{1e-7, 0x0002},
		{8.940697e-08, 0x0002}, // 1.5 × the smallest subnormal: even
		{3e-8, 0x0001},
		{2.98e-8, 0x0000},
		{-0.0, 0x0000}, // a Go constant -0.0 is +0
		{1e6, 0x7c00},
	} {
		if got := float16(c.in); got != c.want {
			t.Errorf("float16(%v) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}
