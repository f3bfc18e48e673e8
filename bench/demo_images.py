"""Time to draw each demo illustration at the full 1200 x 675 size (target: 50 ms a motif).

Usage: ``.venv/bin/python bench/demo_images.py [--runs N]``; prints the median and the worst
run per motif. A benchmark, not a test: the figure depends on the machine and its load.
"""
import argparse
import statistics
import time

from portal.demo import images as demo_images


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"{'motif':<12} median ms   worst ms")
    for motif in sorted(demo_images.MOTIFS):
        demo_images.draw(motif, 0)  # warm up
        times = []
        for seed in range(1, args.runs + 1):
            start = time.perf_counter()
            demo_images.draw(motif, seed)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{motif:<12} {statistics.median(times):9.1f} {max(times):10.1f}")


if __name__ == "__main__":
    main()
