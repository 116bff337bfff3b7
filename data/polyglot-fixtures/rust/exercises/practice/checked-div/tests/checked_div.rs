use checked_div::divide;

#[test]
fn exact() {
    assert_eq!(divide(12, 4), Some(3));
}

#[test]
#[ignore]
fn by_zero() {
    assert_eq!(divide(1, 0), None);
}
