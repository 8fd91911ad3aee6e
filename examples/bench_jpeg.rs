//! Writes a noisy JPEG of just under a size (default 5 MiB) for the upload benchmark
//! (bench/run, scenario `up`): `bench_jpeg OUT [--bytes N]`. Noise keeps JPEG from
//! compressing it, so the file is large for its dimensions, like a phone photo.

use image::codecs::jpeg::JpegEncoder;

fn encode(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x9E37_79B9_u32;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed & 0x3f) as u8;
        image::Rgb([
            ((x / 8) as u8).wrapping_add(n),
            ((y / 8) as u8).wrapping_add(n),
            128u8.wrapping_add(n),
        ])
    });
    let mut out = Vec::new();
    if let Err(err) = img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 92)) {
        eprintln!("bench_jpeg: {err}");
        std::process::exit(1);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: bench_jpeg OUT [--bytes N]");
        std::process::exit(2);
    };
    let limit: usize = match args.iter().position(|a| a == "--bytes") {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(5 << 20),
        None => 5 << 20,
    };
    // Grow a 4:3 picture until the next step would pass the limit.
    let mut best = encode(400, 300);
    let mut width = 400;
    loop {
        let next_width = width + 200;
        let next = encode(next_width, next_width * 3 / 4);
        if next.len() > limit {
            break;
        }
        best = next;
        width = next_width;
    }
    if let Err(err) = std::fs::write(path, &best) {
        eprintln!("bench_jpeg: {path}: {err}");
        std::process::exit(1);
    }
    println!("{width}x{} {} bytes", width * 3 / 4, best.len());
}
