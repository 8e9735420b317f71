/// Typed access to `DARKROOM_*` environment variables; every failure names the variable and what it expected.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        guard let raw = values[name]?.trimmingWhitespace(), !raw.isEmpty else { return defaultValue }
        return raw
    }

    public func optionalString(_ name: String) -> String? {
        guard let raw = values[name]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
        return raw
    }

    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let raw = optionalString(name) else { return defaultValue }
        guard let value = Int(raw) else {
            throw ConfigurationError(.invalidConfiguration, "\(name)=\(raw) is not an integer")
        }
        guard range.contains(value) else {
            throw ConfigurationError(.invalidConfiguration, "\(name)=\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let raw = optionalString(name)?.lowercased() else { return defaultValue }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(.invalidConfiguration, "\(name)=\(raw) is not a boolean (true/false)")
        }
    }

    /// Milliseconds, as an integer variable named `..._MS`.
    public func milliseconds(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Duration {
        .milliseconds(try int(name, default: defaultValue, in: range))
    }

    /// Wraps a parser that throws any error into one that names the variable.
    public func parse<T>(_ name: String, default defaultValue: String, _ parse: (String) throws -> T) throws(ConfigurationError) -> T {
        let raw = string(name, default: defaultValue)
        do {
            return try parse(raw)
        } catch {
            throw ConfigurationError(.invalidConfiguration, "\(name)=\(raw): \(error)")
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
