// sum: run-time error. Reads lines until... it calls split() on the null that
// readLine() returns at end of input: NullPointerException, exit status 1.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class SumNullLine {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        br.readLine(); // T, ignored
        StringBuilder sb = new StringBuilder();
        while (true) { // bug: no end-of-input check
            String[] parts = br.readLine().trim().split("\\s+");
            sb.append(Long.parseLong(parts[0]) + Long.parseLong(parts[1])).append('\n');
        }
    }
}
