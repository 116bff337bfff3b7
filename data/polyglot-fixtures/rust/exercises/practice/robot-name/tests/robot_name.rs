#[test]
fn two_letters_three_digits() {
    let n = robot_name::name();
    assert_eq!(n.len(), 5);
    assert!(n[..2].chars().all(|c| c.is_ascii_uppercase()));
    assert!(n[2..].chars().all(|c| c.is_ascii_digit()));
}
