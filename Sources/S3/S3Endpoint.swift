import Foundation

extension S3Client {
    /// The parsed `endpoint` setting: what goes before the path, and the `Host` header to sign.
    struct Endpoint: Sendable, Hashable {
        /// `http://127.0.0.1:8433`, no trailing slash.
        var base: String
        /// `127.0.0.1:8433`; the port is left out when it is the scheme's default.
        var hostHeader: String

        init(_ text: String) throws(S3Error) {
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
            else {
                throw S3Error(.invalidArgument, "S3 endpoint \(text) is not an http(s)://host[:port] URL")
            }
            guard components.path.isEmpty || components.path == "/", components.query == nil, components.user == nil else {
                throw S3Error(.invalidArgument, "S3 endpoint \(text) must not carry a path, query or user")
            }
            let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            let defaultPort = scheme == "https" ? 443 : 80
            let authority = components.port.map { $0 == defaultPort ? bracketed : "\(bracketed):\($0)" } ?? bracketed
            self.base = "\(scheme)://\(authority)"
            self.hostHeader = authority
        }
    }
}
