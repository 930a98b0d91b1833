package wasmsimd

// CopyBlocksExport is copyblocks(dst, src, groups, rows, width, dstRow,
// srcRow, dstGroup, srcGroup): for every group g and row r it copies width
// bytes from src + g·srcGroup + r·srcRow to dst + g·dstGroup + r·dstRow,
// each with memory.copy. It lays a convolution's input into its padded
// buffer and its output rows into place: thousands of short copies that
// cost a Go call each when made from Go.
const CopyBlocksExport = "copyblocks"

const (
	kDst, kSrc, kGroups, kRows, kWidth, kDstRow, kSrcRow, kDstGroup, kSrcGroup = 0, 1, 2, 3, 4, 5, 6, 7, 8
	copyParams                                                                 = 9
	// i32 locals: the group and row counters and the rows' addresses.
	kG, kR, kD, kS = 9, 10, 11, 12
	copyI32Locals  = 4
)

func copyBlocksBody() []byte {
	var a asm
	a.locals(copyI32Locals, 0)
	a.const32(0)
	a.set(kG)
	a.loopWhile(kG, kGroups)
	a.get(kDst)
	a.set(kD)
	a.get(kSrc)
	a.set(kS)
	a.const32(0)
	a.set(kR)
	a.loopWhile(kR, kRows)
	a.get(kD)
	a.get(kS)
	a.get(kWidth)
	a.byte(prefixBulk)
	a.u32(bulkMemoryCopy)
	a.byte(0, 0)
	a.addTo(kD, kDstRow)
	a.addTo(kS, kSrcRow)
	a.addTo(kR, -1)
	a.endLoop()
	a.addTo(kDst, kDstGroup)
	a.addTo(kSrc, kSrcGroup)
	a.addTo(kG, -1)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}
