// Package buildinfo holds the version stamped into the binary at build time.
package buildinfo

// Version is the Studio version. Release builds set it with
// -ldflags "-X github.com/ice-studio/ice-studio/backend/buildinfo.Version=…".
var Version = "0.1.0-dev"
