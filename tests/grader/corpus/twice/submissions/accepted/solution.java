// The class with main is Main, in a file named otherwise: found by reading the source.
import java.util.Scanner;

class Helper {
        static long twice(long n) { return 2 * n; }
}

class Main {
        public static void main(String[] args) {
                long n = new Scanner(System.in).nextLong();
                System.out.println(Helper.twice(n)); // not main(String) in a comment
        }
}
