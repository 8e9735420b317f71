import ServiceLifecycle

/// The loop of a periodic service: `tick`, then wait `interval`, until graceful shutdown or cancellation. A graceful
/// shutdown ends the wait at once (a plain sleep would hold the shutdown up for a whole interval).
public enum Periodic {
    public static func run(every interval: Duration, _ tick: () async -> Void) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await tick()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { break }
        }
    }
}
