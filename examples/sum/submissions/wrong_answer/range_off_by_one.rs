// sum: wrong answer. The loop runs `1..t`, which in Rust stops before t: only t - 1 sums are
// printed, and the last line of every test is missing.
use std::io::{self, Read, Write};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut it = input.split_ascii_whitespace();
    let t: usize = it.next().unwrap().parse().unwrap();
    let mut out = String::new();
    for _ in 1..t {
        let a: i64 = it.next().unwrap().parse().unwrap();
        let b: i64 = it.next().unwrap().parse().unwrap();
        out.push_str(&format!("{}\n", a + b));
    }
    io::stdout().write_all(out.as_bytes()).unwrap();
}
