package apitest

import "testing"

func TestEnoughCases(t *testing.T) {
	if n := len(BadCalls(false)); n < 150 {
		t.Errorf("%d bad calls, want at least 150", n)
	}
	t.Logf("%d bad calls (%d with shared memory)", len(BadCalls(false)), len(BadCalls(true)))
}
