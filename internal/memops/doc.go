// Package memops copies, fills and zeroes memory, choosing its kernels once,
// at start-up, from what the CPU offers and how big its caches are.
//
// Why not just copy: Go's runtime memmove is excellent up to about a
// megabyte, but at 1 MiB it switches to non-temporal stores, which bypass
// the cache. On the AMD EPYC machines this project runs on (Zen 3 and
// later, 1 MiB of L2 per core) REP MOVSB, which those CPUs run fast (FSRM),
// copies 1-8 MiB 1.2-1.7x faster than memmove and is as fast or faster up
// to 256 MiB. On an Intel Xeon (Ice Lake class) the same kernel was 1.2x
// slower than memmove at 4 MiB, and an AVX2 non-temporal loop 1.5x slower
// at 64 MiB: there memmove wins everywhere. And Go has no fast fill for a
// non-zero byte or a multi-byte pattern (the compiler turns only zeroing
// loops into memclr).
//
// So copies take the package's kernel only on the CPU family where it was
// measured to beat memmove (BenchmarkCopy, impl=memops against
// impl=gocopy, at every size from 64 bytes to 256 MiB), and memmove
// everywhere else:
//
//	family            copies from Large (1 MiB) up     below
//	AMD, FSRM + ERMS  REP MOVSB                        memmove
//	Intel             memmove                          memmove
//	other, unknown    memmove                          memmove
//
// Copy tests the size against a constant (64 KiB) before anything else and
// inlines, so a small copy costs what copy costs. Fills use AVX2 kernels
// from 64 bytes up, with any pattern of 1, 2, 4, 8 or 16 bytes (vectors
// initialised to a value or a null sentinel), storing non-temporally from
// NT bytes: half the last-level cache when cpuid reports it, else 16 times
// the L2 (on machines whose hypervisor hides the L3), clamped to 4..64 MiB.
// Zero uses the same non-temporal kernel from NT up and clear below.
//
// Overlapping copies behave as copy does (memmove): they always go to the
// runtime, which handles both directions.
//
// Current reports the choice. For measuring a CPU family not in the table,
// the environment overrides it: RAYGO_MEMOPS_KERNEL (go, avx2, erms),
// RAYGO_MEMOPS_LARGE and RAYGO_MEMOPS_NT (bytes); a family that measures
// better with a kernel gets a line in choose. Under the build tag purego, and on every
// architecture but amd64, the package is plain Go: copy, clear, and a fill
// that doubles what it has written.
package memops
