import CBerthSystem

/// glibc malloc settings for a server that moves large buffers between threads.
enum MemoryTuning {
    /// Limits malloc to two arenas. By default every thread that allocates gets its own arena (up to eight per
    /// core), and buffers allocated by file I/O threads but freed by event-loop threads leave memory stranded
    /// in those arenas, which shows as RSS that grows with traffic.
    static func apply() {
        _ = berth_limit_malloc_arenas(2)
    }
}
