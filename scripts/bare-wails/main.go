// Command bare-wails is the start-up benchmark's baseline: a bare Wails v2
// window that loads an empty page and calls one bound Go method, which
// prints when it was called. scripts/bench-startup starts it beside the
// Studio, in the same run, the same way.
package main

import (
	"embed"
	"fmt"
	"os"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

//go:embed index.html
var page embed.FS

// Bare is bound to the page.
type Bare struct{}

// Ready is called by the page once it has loaded: it prints the time.
func (*Bare) Ready() {
	fmt.Printf("bare ready %d\n", time.Now().UnixNano())
	_ = os.Stdout.Sync()
}

func main() {
	err := wails.Run(&options.App{
		Title: "bare", Width: 1280, Height: 800,
		AssetServer: &assetserver.Options{Assets: page},
		Bind:        []any{&Bare{}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare-wails:", err)
		os.Exit(1)
	}
}
