from accessmedia.cli.commands import main

main()
