package nn

import "testing"

// TestDigitArchs holds the architectures to their size: digits-v1 is the
// network of the model cards before digits-v2 (98,746 parameters in
// training, 98,266 once its normalisations are folded as the card counts; 7.0 M
// multiply-accumulates), digits-v2 stays within twice its work.
func TestDigitArchs(t *testing.T) {
	for _, c := range []struct {
		arch   string
		params int
		macs   int64
	}{
		{"digits-v1", 98746, 7000512},
		{"digits-v2", 186858, 11968256},
		{"digits-v3", 223914, 19193600},
	} {
		n, err := NewDigitNet(c.arch)
		if err != nil {
			t.Fatal(err)
		}
		if n.ParamCount() != c.params || n.MACs() != c.macs {
			t.Errorf("%s: %d parameters, %d multiply-accumulates; want %d, %d", c.arch, n.ParamCount(), n.MACs(), c.params, c.macs)
		}
	}
	if _, err := NewDigitNet("digits-v9"); err == nil {
		t.Error("an unknown architecture made a network")
	}
}
