import Foundation

/// Faults compiled into the service for fault tests and drills. They are armed only by configuration
/// (`DARKROOM_FAILPOINTS`, read once at start-up) or by test code, never by anything a request carries; with none
/// armed (the default) each costs one set lookup.
public struct Failpoints: Sendable, Hashable {
    public enum Point: String, CaseIterable, Sendable {
        /// The media row's transaction commits, then the call fails with `.timeout` as if COMMIT's answer was lost.
        case mediaCommitAnswerLost = "media.commit_answer_lost"
        /// The media row's transaction is rolled back, then the call fails with `.timeout`: a deadline that expired
        /// before COMMIT was sent.
        case mediaTimeoutBeforeCommit = "media.timeout_before_commit"
        /// An upload stops for good between Store and Metadata (its objects are stored, no row is written), so a test
        /// can kill the process there.
        case uploadStallAfterStore = "upload.stall_after_store"
    }

    public var armed: Set<Point>

    public static let none = Failpoints(armed: [])

    public init(armed: Set<Point>) {
        self.armed = armed
    }

    /// A comma-separated list of point names; empty arms nothing. Unknown names throw `.invalidArgument`.
    public init(parsing list: String) throws(StorageError) {
        var armed: Set<Point> = []
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let point = Point(rawValue: name) else {
                throw StorageError(.invalidArgument, "unknown failpoint '\(name)'; known: \(Point.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            armed.insert(point)
        }
        self.armed = armed
    }

    public func isArmed(_ point: Point) -> Bool {
        armed.contains(point)
    }
}
