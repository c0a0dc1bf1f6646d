"""Task 4.2.1: download 100 pages sequentially and concurrently, and measure the difference."""
