//! The kernel's part of relaying one token, for bench/run's S4: the CPU time a thread spends
//! writing one small frame (a one-token `delta` event in HTTP/1.1 chunked framing, 44 bytes) to
//! a loopback TCP socket with `TCP_NODELAY`, read by another thread. On loopback the
//! delivery to the receiving socket runs in the writer's system call, so it is charged to
//! the writer, as it is to confab when it writes an event to a client.
//!
//! Two runs: writes back to back (the reader stays awake: a lower bound), and writes spread
//! over many connections with a pause between rounds (each write wakes a sleeping reader, as
//! tokens arriving every 20 ms do). Prints JSON: microseconds of the writer's CPU per write.
//!
//!   cargo run --release --example loopback_write -- [writes]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A one-token `delta` event as one HTTP/1.1 chunk.
const FRAME: &[u8] = b"26\r\nevent: delta\ndata: {\"text\":\" tok17\"}\n\n\r\n";

/// CPU time of the calling thread, in nanoseconds (the first field of its schedstat).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// `n` connected pairs on loopback; a thread reads and discards everything that arrives.
fn pairs(n: usize) -> std::io::Result<Vec<TcpStream>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let mut writers = Vec::with_capacity(n);
    for _ in 0..n {
        let writer = TcpStream::connect(addr)?;
        writer.set_nodelay(true)?;
        let (mut reader, _) = listener.accept()?;
        std::thread::spawn(move || {
            let mut buf = [0_u8; 8192];
            while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
        });
        writers.push(writer);
    }
    Ok(writers)
}

fn main() -> std::io::Result<()> {
    let writes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);

    let mut one = pairs(1)?;
    let started = thread_cpu_ns();
    for _ in 0..writes {
        one[0].write_all(FRAME)?;
    }
    let back_to_back = (thread_cpu_ns() - started) as f64 / writes as f64 / 1000.0;

    // 100 connections, one write to each per round, 2 ms between rounds: every reader has
    // gone back to sleep when its next frame comes.
    let mut many = pairs(100)?;
    let rounds = (writes / 100).clamp(10, 1000);
    let mut spent = 0;
    for _ in 0..rounds {
        let started = thread_cpu_ns();
        for writer in &mut many {
            writer.write_all(FRAME)?;
        }
        spent += thread_cpu_ns() - started;
        std::thread::sleep(Duration::from_millis(2));
    }
    let waking = spent as f64 / (rounds * many.len()) as f64 / 1000.0;
    println!(
        "{{\"frame_bytes\": {}, \"us_per_write_back_to_back\": {back_to_back:.2}, \"us_per_write_waking_a_reader\": {waking:.2}}}",
        FRAME.len()
    );
    Ok(())
}
