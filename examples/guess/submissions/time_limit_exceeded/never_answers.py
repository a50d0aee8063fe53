# Waits for the interactor to speak first: both sides read, nobody writes.
import sys
sys.stdin.readline()
