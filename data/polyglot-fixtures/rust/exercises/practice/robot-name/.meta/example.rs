extern crate rand;
use rand::Rng;

pub fn name() -> String {
    let mut rng = rand::thread_rng();
    let letters: String = (0..2).map(|_| rng.gen_range(b'A', b'Z' + 1) as char).collect();
    format!("{}{:03}", letters, rng.gen_range(0, 1000))
}
