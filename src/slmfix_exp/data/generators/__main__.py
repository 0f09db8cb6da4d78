import sys

from slmfix_exp.data.generators import main

main(sys.argv[1:])
