package page

import (
	"reflect"
	"testing"

	"wasmcnn/core/ink"
)

// TestDrawing plays the pad's events on a Drawing: one pointer draws at a
// time, repeated points add nothing, undo and clear remove strokes.
func TestDrawing(t *testing.T) {
	var d Drawing
	if !d.Empty() || d.Undo() || d.End(1) {
		t.Fatal("an empty drawing undid or ended something")
	}
	if !d.Begin(1, 10, 20) {
		t.Fatal("Begin refused the first stroke")
	}
	if d.Begin(2, 0, 0) {
		t.Error("a second pointer began a stroke while the first drew")
	}
	if _, ok := d.Extend(2, 5, 5); ok {
		t.Error("a second pointer extended the first one's stroke")
	}
	if from, ok := d.Extend(1, 11, 21); !ok || from != [2]float32{10, 20} {
		t.Errorf("Extend = %v, %v; want a segment from (10, 20)", from, ok)
	}
	if _, ok := d.Extend(1, 11, 21); ok {
		t.Error("a repeated point made a segment")
	}
	if d.End(2) || !d.End(1) || d.End(1) {
		t.Error("End: only the drawing pointer ends its stroke, once")
	}
	if _, ok := d.Extend(1, 12, 22); ok {
		t.Error("a pointer extended a stroke it had ended")
	}
	d.Begin(2, 50, 50)
	d.End(2)
	want := []ink.Stroke{{{10, 20}, {11, 21}}, {{50, 50}}}
	if !reflect.DeepEqual(d.Strokes(), want) {
		t.Fatalf("strokes %v, want %v", d.Strokes(), want)
	}
	if !d.Undo() || !reflect.DeepEqual(d.Strokes(), want[:1]) {
		t.Errorf("after undo: %v", d.Strokes())
	}
	// Undo while drawing removes the stroke being drawn and ends it.
	d.Begin(3, 1, 1)
	if !d.Undo() || len(d.Strokes()) != 1 || !d.Begin(4, 2, 2) {
		t.Errorf("undo while drawing: %v", d.Strokes())
	}
	d.Clear()
	if !d.Empty() || !d.Begin(5, 0, 0) {
		t.Error("after Clear the pad is not empty, or refuses a stroke")
	}
}
