package api

import (
	"runtime/debug"
	"testing"
)

// TestSetMemoryLimit holds the linked setMemoryLimit to runtime/debug's:
// a limit set through one is the limit the other reports, so the page's
// limit really reaches the collector.
func TestSetMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	for _, limit := range []int64{64 << 20, 17 << 20, 1 << 40} {
		setMemoryLimit(limit)
		if got := debug.SetMemoryLimit(-1); got != limit {
			t.Fatalf("setMemoryLimit(%d): runtime/debug reports %d", limit, got)
		}
		debug.SetMemoryLimit(limit + 1)
		if got := setMemoryLimit(-1); got != limit+1 {
			t.Fatalf("debug.SetMemoryLimit(%d): setMemoryLimit(-1) reports %d", limit+1, got)
		}
	}
}
