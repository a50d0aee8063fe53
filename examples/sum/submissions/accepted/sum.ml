(* sum: accepted. OCaml's int has 63 bits (max 4.6e18), too few for 8e18: Int64 it is. *)
let () =
  let t = Scanf.scanf " %d" (fun x -> x) in
  let buf = Buffer.create (t * 21) in
  for _ = 1 to t do
    let a, b = Scanf.scanf " %Ld %Ld" (fun a b -> (a, b)) in
    Buffer.add_string buf (Int64.to_string (Int64.add a b));
    Buffer.add_char buf '\n'
  done;
  print_string (Buffer.contents buf)
