import Foundation

extension Duration {
    /// The duration in seconds, for `Date` arithmetic and printing.
    public var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
