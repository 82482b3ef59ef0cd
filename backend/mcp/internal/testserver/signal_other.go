//go:build !unix

package main

import "os"

func notifyUser1(chan<- os.Signal) {}
