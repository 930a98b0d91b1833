package core

import (
	"errors"

	"wasmcnn/internal/fmtlite"
)

// Panic messages for internal misuse: shapes that were supposed to be checked
// before a kernel ran. Seeing one means a bug in wasmcnn.
const (
	panicShortSlice    = "core: slice shorter than its shape"
	panicBadDimension  = "core: dimension out of range"
	panicShapeMismatch = "core: shapes do not match"
)

// ErrTooLarge is returned when a shape's element count exceeds [MaxElements].
var ErrTooLarge = errors.New("core: tensor too large")

// ShapeError reports a shape that an operation cannot accept.
type ShapeError struct {
	Op     string // the operation, such as "Conv"
	Detail string // what was wrong and what was expected
}

func (e *ShapeError) Error() string { return "core: " + e.Op + ": " + e.Detail }

// shapeErrorf builds a [ShapeError] for op.
func shapeErrorf(op, format string, args ...any) error {
	return &ShapeError{Op: op, Detail: fmtlite.Sprintf(format, args...)}
}
