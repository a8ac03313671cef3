//go:build js && wasm

package main

import (
	"errors"
	"strconv"
)

// errNoArgs answers a call without its request.
var errNoArgs = errors.New("no request given")

func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }
