from cachelint.cli import main

if __name__ == "__main__":  # not when a worker process imports it (spawn on macOS and Windows)
    main()
