// A tiny stack machine, written for the hrm tokenizer tests.
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Push(i64),
    Add,
    Mul,
    Dup,
}

#[derive(Debug)]
pub struct StackError(String);

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stack error: {}", self.0)
    }
}

pub fn run(ops: &[Op]) -> Result<Vec<i64>, StackError> {
    let mut stack: Vec<i64> = Vec::new();
    let mut seen: HashMap<&'static str, usize> = HashMap::new();
    for op in ops {
        match op {
            Op::Push(v) => stack.push(*v),
            Op::Add | Op::Mul => {
                let (b, a) = (stack.pop(), stack.pop());
                let (Some(a), Some(b)) = (a, b) else {
                    return Err(StackError(format!("{:?} needs two values", op)));
                };
                stack.push(if *op == Op::Add { a + b } else { a * b });
                *seen.entry("binary").or_insert(0) += 1;
            }
            Op::Dup => {
                let top = *stack.last().ok_or_else(|| StackError("dup on empty stack".into()))?;
                stack.push(top);
            }
        }
    }
    Ok(stack)
}
