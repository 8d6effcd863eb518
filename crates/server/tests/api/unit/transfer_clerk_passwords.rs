//! Unit tests of `transfer/clerk_passwords.rs`.
#![allow(clippy::unwrap_used)]

use usher_server::transfer::clerk_passwords::*;

#[test]
fn rows_with_digests_are_read_and_bad_ones_refused() {
    let digest = bcrypt::hash("correct horse", 4).unwrap();
    let csv = format!(
        "id,primary_email_address,password_digest,password_hasher\n\
         user_2NNEqL2nrIRdJ194ndJqAHwEfxC,a@example.com,{digest},bcrypt\n\
         user_2NNEqL2nrIRdJ194ndJqAHwEfxD,b@example.com,,\n"
    );
    let rows = parse(csv.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.as_str(), "user_2NNEqL2nrIRdJ194ndJqAHwEfxC");
    assert_eq!(rows[0].1.0, digest);
    assert!(parse("id,password_digest\nnot-an-id,x\n".as_bytes()).is_err());
    assert!(
        parse("id,password_digest\nuser_2NNEqL2nrIRdJ194ndJqAHwEfxC,nope\n".as_bytes()).is_err()
    );
    assert!(parse("email\nx\n".as_bytes()).is_err());
}
