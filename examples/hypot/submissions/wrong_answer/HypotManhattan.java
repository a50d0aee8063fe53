// hypot: wrong answer. Prints the Manhattan distance |x| + |y| instead of the
// Euclidean one (sample 1: "3 4" gives 7, not 5).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.Locale;
import java.util.StringTokenizer;

public class HypotManhattan {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            StringTokenizer st = new StringTokenizer(br.readLine());
            double x = Double.parseDouble(st.nextToken());
            double y = Double.parseDouble(st.nextToken());
            // Locale.ROOT: a decimal point, never a decimal comma
            sb.append(String.format(Locale.ROOT, "%.10f", Math.abs(x) + Math.abs(y))).append('\n');
        }
        System.out.print(sb);
    }
}
