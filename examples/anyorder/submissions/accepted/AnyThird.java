// anyorder: accepted. a = N / 3 (at least 1), b = N - a (more than 2N/3 > a).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class AnyThird {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            long n = Long.parseLong(br.readLine().trim());
            long a = n / 3;
            sb.append(a).append(' ').append(n - a).append('\n');
        }
        System.out.print(sb);
    }
}
