/// A stream entry id `<ms>-<seq>`, comparable the way Redis orders entries.
public struct StreamEntryID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: UInt64
    public var sequence: UInt64

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `ms-seq` (or a bare `ms`, sequence 0); `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let ms = UInt64(parts[0]) else { return nil }
        let seq: UInt64
        if parts.count == 2 {
            guard let parsed = UInt64(parts[1]) else { return nil }
            seq = parsed
        } else {
            seq = 0
        }
        self.init(milliseconds: ms, sequence: seq)
    }

    /// The smallest id above this one.
    public var successor: StreamEntryID {
        sequence == .max ? StreamEntryID(milliseconds: milliseconds + 1, sequence: 0) : StreamEntryID(milliseconds: milliseconds, sequence: sequence + 1)
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (lhs: StreamEntryID, rhs: StreamEntryID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}
