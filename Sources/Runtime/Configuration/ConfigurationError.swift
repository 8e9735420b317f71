/// A configuration value that cannot be used: `darkroom` stops start-up with exit code 78 and `message`, which names
/// the variable (passwords redacted).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidConfiguration = "invalid_configuration"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "ConfigurationError(\(code.rawValue)): \(message)" }
}
