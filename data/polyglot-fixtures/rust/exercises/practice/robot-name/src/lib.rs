pub fn name() -> String {
    todo!("make a robot name")
}
