fn check(a: u32, b: u32, c: u32) -> anyhow::Result<()> {
    anyhow::ensure!(a + b > c && a + c > b && b + c > a, "not a triangle");
    Ok(())
}

pub fn kind(a: u32, b: u32, c: u32) -> &'static str {
    if check(a, b, c).is_err() {
        "invalid"
    } else if a == b && b == c {
        "equilateral"
    } else if a == b || b == c || a == c {
        "isosceles"
    } else {
        "scalene"
    }
}
