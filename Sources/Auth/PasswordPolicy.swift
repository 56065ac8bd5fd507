/// Harbor's password rule: 8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit.
public enum PasswordPolicy {
    /// Why `password` is refused, or nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        let count = password.count
        guard count >= 8, count <= 128 else { return "the password must be 8 to 128 characters long" }
        guard password.contains(where: \.isUppercase), password.contains(where: \.isLowercase),
              password.contains(where: { $0.isASCII && $0.isNumber }) else {
            return "the password must contain at least one upper-case letter, one lower-case letter and one digit"
        }
        return nil
    }
}
