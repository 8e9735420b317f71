import Pipeline

/// What a username, password and display name must look like. Pure functions, so the rules are tested directly.
///
/// Usernames are case-insensitive: input is lowercased, then must be 1–30 of `a-z0-9._`. Nothing else is changed
/// (no trimming, no Unicode folding), so what a user typed either is a valid name or is refused with the reason.
public enum AccountRules {
    public static let usernameLength = 1...30
    /// At least 8 characters; at most 72 UTF-8 bytes, because bcrypt ignores everything after the 72nd byte and two
    /// passwords sharing those bytes must not both work. No NUL, where bcrypt's C string ends; other characters are
    /// fine, as a password is only ever hashed, never shown or stored as text.
    public static let passwordMinimumCharacters = 8
    public static let passwordMaximumBytes = 72
    /// In Unicode code points (see `TextRules`).
    public static let displayNameMaximumCharacters = 64

    public static func normalisedUsername(_ raw: String) throws(APIError) -> String {
        let name = raw.lowercased()
        guard usernameLength.contains(name.utf8.count), name.utf8.allSatisfy(isUsernameByte) else {
            throw APIError(.validationFailed, "username must be 1–30 characters of a-z, 0-9, '.' and '_'", field: "username")
        }
        return name
    }

    /// For login: the same normalisation, but `nil` instead of an error (an impossible name is just an unknown user).
    public static func loginUsername(_ raw: String) -> String? {
        try? normalisedUsername(raw)
    }

    public static func validatePassword(_ password: String) throws(APIError) {
        guard password.count >= passwordMinimumCharacters else {
            throw APIError(.validationFailed, "password must be at least \(passwordMinimumCharacters) characters", field: "password")
        }
        guard password.utf8.count <= passwordMaximumBytes else {
            throw APIError(.validationFailed, "password must be at most \(passwordMaximumBytes) bytes in UTF-8", field: "password")
        }
        guard !password.utf8.contains(0) else {
            throw APIError(.validationFailed, "password must not contain NUL", field: "password")
        }
    }

    /// One line (no control characters at all), at most 64 code points.
    public static func normalisedDisplayName(_ raw: String?) throws(APIError) -> String {
        guard let raw else { return "" }
        do {
            return try TextRules.validated(raw, field: "display_name", maxCodePoints: displayNameMaximumCharacters, multiline: false)
        } catch {
            throw APIError(error)
        }
    }

    private static func isUsernameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x5F
    }
}
