#if canImport(Glibc)
import Glibc
#endif

/// Starts a child process as a shell would: an empty signal mask and default signal dispositions. A server blocks or
/// ignores signals (ServiceLifecycle, NIO, a test runner) and `posix_spawn` would pass that on, leaving a child that
/// ignores SIGTERM.
public enum ProcessSpawner {
    /// Spawns `executable` with `arguments` (argv[0] is `executable`) and exactly `environment`. `passing` makes the
    /// given descriptor the child's descriptor `as`; every other descriptor opened close-on-exec stays behind.
    /// Throws the `posix_spawn` errno.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], passing: (fd: Int32, as: Int32)? = nil
    ) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let passing { posix_spawn_file_actions_adddup2(&actions, passing.fd, passing.as) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw SpawnError(errno: status) }
        return pid
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { "posix_spawn errno \(errno)" }
    }
}
