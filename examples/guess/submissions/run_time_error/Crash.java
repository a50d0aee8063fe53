import java.io.BufferedReader;
import java.io.InputStreamReader;

/* Guesses once, then takes the reply for a number: NumberFormatException, exit status 1. */
public class Crash {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println(500000000);
        System.out.flush();
        long next = Long.parseLong(in.readLine());
        System.out.println(next);
    }
}
