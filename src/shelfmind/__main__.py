from shelfmind.cli.main import main

main()
