// hypot: accepted. Prints with Double.toString, Java's shortest round-trip
// format: "5.0", "1.4142135623730951", and "1.0E-6" for tiny values. The
// default validator must accept any valid float formatting once a float
// tolerance is set, exponents included.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Hypot {
    public static void main(String[] args) throws IOException {
        BufferedReader br = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t; i++) {
            StringTokenizer st = new StringTokenizer(br.readLine());
            double x = Double.parseDouble(st.nextToken()); // locale-independent
            double y = Double.parseDouble(st.nextToken());
            sb.append(Math.hypot(x, y)).append('\n');
        }
        System.out.print(sb);
    }
}
