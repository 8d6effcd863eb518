//! Uploaded images: stored and read back byte for byte, per instance, deleted.

use std::sync::Arc;

use usher_core::ids::{ImageId, InstanceId};
use usher_core::images::{Image, ImageKind};
use usher_core::store::{Changeset, Store, Write};

use super::{NOW, Outcome, create_instance, one};

/// A PNG signature followed by every byte value, so that no encoding of the column can pass by
/// accident (NUL, high bytes, invalid UTF-8).
fn png_bytes(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len).map(|i| (i % 256) as u8));
    bytes
}

/// An image comes back with its exact bytes and kind, only for its own instance, and is gone
/// once deleted; deleting it again is no error.
pub async fn images_round_trip_and_are_deleted(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let img = Image::accept(png_bytes(3 * 1024 * 1024), NOW)?;
    let webp = Image::accept(b"RIFF\x10\0\0\0WEBPVP8 \0\0".to_vec(), NOW + 1)?;
    store
        .commit(
            ins,
            Changeset {
                writes: vec![
                    Write::InsertImage(img.clone()),
                    Write::InsertImage(webp.clone()),
                ],
            },
        )
        .await?;

    let read = store.get_image(ins, &img.id).await?;
    assert_eq!(read.as_ref(), Some(&img), "the same bytes, kind and time");
    let read = store.get_image(ins, &webp.id).await?;
    assert_eq!(read.map(|i| i.kind), Some(ImageKind::Webp));

    assert_eq!(
        store.get_image(&InstanceId::new(), &img.id).await?,
        None,
        "another instance never sees it"
    );
    assert_eq!(store.get_image(ins, &ImageId::new()).await?, None);

    store
        .commit(ins, one(Write::DeleteImage { id: img.id.clone() }))
        .await?;
    assert_eq!(store.get_image(ins, &img.id).await?, None, "deleted");
    assert!(
        store.get_image(ins, &webp.id).await?.is_some(),
        "the other image stays"
    );
    store
        .commit(ins, one(Write::DeleteImage { id: img.id.clone() }))
        .await?;
    Ok(())
}

/// An image inserted in a changeset that fails is not stored: it goes with the change it belongs
/// to (a logo with its organization's update).
pub async fn an_image_goes_with_its_changeset(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let img = Image::accept(png_bytes(16), NOW)?;
    let failed = store
        .commit(
            ins,
            Changeset {
                writes: vec![
                    Write::InsertImage(img.clone()),
                    Write::RetireSigningKey {
                        kid: "no-such-key".into(),
                    },
                ],
            },
        )
        .await;
    assert!(failed.is_err(), "the changeset fails as a whole");
    assert_eq!(store.get_image(ins, &img.id).await?, None, "nothing kept");
    Ok(())
}
