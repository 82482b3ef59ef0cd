//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
)

func notifyUser1(c chan<- os.Signal) { signal.Notify(c, syscall.SIGUSR1) }
