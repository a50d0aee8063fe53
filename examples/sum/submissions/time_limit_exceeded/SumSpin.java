// sum: time limit exceeded. Busy-waits forever; the volatile field keeps the
// JIT from optimising the loop away.
public class SumSpin {
    static volatile long spins = 0;

    public static void main(String[] args) throws Exception {
        java.io.BufferedReader br = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in));
        int t = Integer.parseInt(br.readLine().trim());
        while (t > 0) {
            spins++;        // bug: t is never decremented
        }
    }
}
