import Foundation

/// Where a place-search page ended, as an opaque token (`next_cursor`).
///
/// - `recent`: the last media id (ids are time-ordered): the next page holds ids below it. Media added between pages
///   are newer, so they never shift a later page.
/// - `distance`: the last (distance, id) pair in the total order "nearer first, then lower id", so equal distances
///   (many photos at one venue) never repeat or skip an entry. A media added between pages lands either before the
///   cursor (not shown to this reader) or after it (shown at its place); none already seen is shown twice. `served`,
///   how many entries the previous pages held, is only a hint for how many nearest members to ask Redis for.
public struct GeoCursor: Sendable, Hashable {
    public enum Position: Sendable, Hashable {
        case recent(before: ShardedID)
        case distance(after: Double, id: ShardedID, served: Int)
    }

    public var position: Position

    public init(_ position: Position) {
        self.position = position
    }

    public var order: GeoOrder {
        switch position {
        case .recent: .recent
        case .distance: .distance
        }
    }

    /// base64url (no padding) of `r:<id>` or `d:<distance>:<id>:<served>`; the distance in Swift's round-trip form.
    public var token: String {
        let text =
            switch position {
            case let .recent(id): "r:\(id)"
            case let .distance(distance, id, served): "d:\(distance):\(id):\(served)"
            }
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Nil for anything ``token`` did not make.
    public init?(token: String) {
        guard !token.isEmpty, token.count <= 128, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch (parts.first.map(String.init) ?? "", parts.count) {
        case ("r", 2):
            guard let id = ShardedID(string: parts[1]), id.rawValue > 0 else { return nil }
            position = .recent(before: id)
        case ("d", 4):
            guard let distance = Double(parts[1]), distance.isFinite, distance >= 0, let id = ShardedID(string: parts[2]),
                let served = Int(parts[3]), served >= 0
            else { return nil }
            position = .distance(after: distance, id: id, served: served)
        default:
            return nil
        }
    }
}

/// How a place search sorts: newest first, or nearest first.
public enum GeoOrder: String, Sendable, Hashable, CaseIterable {
    case recent, distance
}
