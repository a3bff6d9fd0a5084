// Package memops copies, fills and zeroes memory, choosing its kernels once,
// at start-up, from what the CPU offers and how big its caches are.
//
// Why not just copy: Go's runtime memmove is excellent up to about a
// megabyte, but at 1 MiB it switches to non-temporal stores, which bypass
// the cache. On this project's machines (AMD EPYC, 1 MiB of L2 per core,
// 32 MiB of L3) that halves the speed of copies of 1-16 MiB, which still fit
// the cache (about 26 GB/s where ordinary stores reach 47), while beyond the
// last-level cache non-temporal stores are right (about 20 GB/s against 12).
// And Go has no fast fill for a non-zero byte or a multi-byte pattern (the
// compiler turns only zeroing loops into memclr).
//
// So the package delegates to the runtime where the runtime is at its best
// and takes over where it is not:
//
//	size < Large            runtime memmove / memclr (copy, clear)
//	Large <= size < NT      REP MOVSB where the CPU has fast short REP
//	                        MOVSB (FSRM: Intel Ice Lake and AMD Zen 3 on),
//	                        else AVX2 with ordinary stores, destination
//	                        aligned to 32 bytes
//	NT <= size              AVX2 non-temporal stores, then SFENCE
//
// Large is 1 MiB, where the runtime leaves ordinary stores behind. NT is
// half the last-level cache when cpuid reports it, else 16 times the L2 (on
// machines whose hypervisor hides the L3, as here), clamped to 4..64 MiB.
// Fills use the same kernels from 64 bytes up, with any pattern of 1, 2, 4,
// 8 or 16 bytes (vectors initialised to a value or a null sentinel).
//
// Overlapping copies behave as copy does (memmove): they always go to the
// runtime, which handles both directions.
//
// Current reports the choice. For measurement, the environment overrides it:
// RAYGO_MEMOPS_KERNEL (go, avx2, erms), RAYGO_MEMOPS_LARGE and
// RAYGO_MEMOPS_NT (bytes). Under the build tag purego, and on every
// architecture but amd64, the package is plain Go: copy, clear, and a fill
// that doubles what it has written.
package memops
