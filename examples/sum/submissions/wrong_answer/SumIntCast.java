// sum: wrong answer. Parses 64-bit values but keeps the sum in an int, which
// wraps around for anything beyond 2^31 - 1 (sample 2).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class SumIntCast {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            StringTokenizer st = new StringTokenizer(br.readLine());
            long a = Long.parseLong(st.nextToken());
            long b = Long.parseLong(st.nextToken());
            int sum = (int) (a + b);
            sb.append(sum).append('\n');
        }
        System.out.print(sb);
    }
}
