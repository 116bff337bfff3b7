use triangle_kind::kind;

#[test]
fn equilateral() {
    assert_eq!(kind(2, 2, 2), "equilateral");
}

#[test]
#[ignore]
fn isosceles_and_scalene() {
    assert_eq!(kind(3, 3, 4), "isosceles");
    assert_eq!(kind(3, 4, 5), "scalene");
}
